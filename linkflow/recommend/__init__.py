"""Link recommendations: which internal links to add, where, with which anchor, and why.

The stage runs on the internal analysis' in-memory result and the authority flow's model
(teleport v, money-page reward r): :func:`linkflow.recommend.stage.suggest_links` chooses
the links and fix lists and stores them, :func:`linkflow.recommend.stage.plan_effect` says
what a planned set of edits would do. docs/model.md ("Recommendations") has every rule.

- ``chain``, ``solve``, ``columns``, ``gain``: the flow model with link edits laid over the
  graph, its solves, columns of M and the exact closed-form gains;
- ``phrases``, ``candidates``, ``relevance``, ``text``: targets' phrases, where source pages
  name them (sentence and anchor), and how relevant the source is;
- ``optimise``: the batched lazy greedy with swap polish;
- ``fixes``, ``fixes_links``, ``whatif``: fix lists and what-if plans;
- ``pipeline``, ``stage``, ``persist``, ``records``: orchestration, storage, result types.
"""
