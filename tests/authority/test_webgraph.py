"""Reading Common Crawl web graph releases: layouts, host folding, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from linkflow.authority.domains import load_domain_graph
from linkflow.errors import ImportFormatError
from tests.authority.release import (
    DOMAINS,
    EDGES,
    HOSTS_PER_DOMAIN,
    golden_release,
    gz,
    write_level,
)


def edge_list(graph_src: np.ndarray, graph_dst: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(graph_src.tolist(), graph_dst.tolist(), strict=True))


def test_domain_release_reads_names_hosts_and_edges(tmp_path: Path) -> None:
    graph = load_domain_graph(golden_release(tmp_path), "domain")
    assert graph.names.to_pylist() == DOMAINS
    assert graph.n_hosts is not None
    assert graph.n_hosts.tolist() == HOSTS_PER_DOMAIN
    assert edge_list(graph.src, graph.dst) == EDGES


def test_level_folder_itself_and_plain_text_parts(tmp_path: Path) -> None:
    (tmp_path / "a-vertices.txt").write_text("0\tcom.a\n1\tcom.b\n", encoding="utf-8")
    (tmp_path / "a-edges.txt").write_text("0\t1\n1\t0\n1\t1\n0\t1\n", encoding="utf-8")
    graph = load_domain_graph(tmp_path, "domain")
    assert graph.names.to_pylist() == ["com.a", "com.b"]
    assert graph.n_hosts is None  # two columns: the release does not say
    assert edge_list(graph.src, graph.dst) == [(0, 1), (1, 0)]  # self-loop and duplicate gone


def test_paths_files_name_parts_relative_to_the_bucket(tmp_path: Path) -> None:
    write_level(tmp_path / "domain", DOMAINS, EDGES, HOSTS_PER_DOMAIN, parts=3)
    release = "projects/hyperlinkgraph/cc-main-2025-jan-feb-mar/domain"
    for kind in ("vertices", "edges"):
        parts = sorted(p.name for p in (tmp_path / "domain" / kind).iterdir())
        listed = [f"{release}/{kind}/{name}" for name in parts]
        gz(tmp_path / "domain" / f"cc-main-2025-jan-feb-mar-domain-{kind}.paths.gz", listed)
    # a stray part not in the list must not be read
    gz(tmp_path / "domain" / "vertices" / "zz-extra.txt.gz", ["5\tcom.zzz"])
    graph = load_domain_graph(tmp_path, "domain")
    assert graph.names.to_pylist() == DOMAINS


def test_host_graph_folds_to_registrable_domains(tmp_path: Path) -> None:
    hosts = ["4.3.2.1", "com.alpha", "com.alpha.blog", "com.beta", "uk.co", "uk.co.epsilon.shop"]
    edges = [(0, 1), (1, 2), (1, 3), (2, 3), (3, 5), (4, 1), (5, 2)]
    write_level(tmp_path / "host", hosts, edges, prefix="cc-main-host")
    graph = load_domain_graph(tmp_path, "host")
    # the IP address and the bare public suffix have no registrable domain: dropped
    assert graph.names.to_pylist() == ["com.alpha", "com.beta", "uk.co.epsilon"]
    assert graph.n_hosts is not None
    assert graph.n_hosts.tolist() == [2, 1, 1]
    # alpha → alpha.blog is inside one domain; alpha → beta twice becomes one edge
    assert edge_list(graph.src, graph.dst) == [(0, 1), (1, 2), (2, 0)]


@pytest.mark.parametrize(
    ("vertices", "edges", "bad_file", "expected"),
    [
        (["0\tcom.a", "x\tcom.b"], ["0\t1"], "vertices", "line 2: 'x' is not an integer id"),
        (["0\tcom.a", "2\tcom.b"], ["0\t1"], "vertices", "line 2: vertex id 2, expected 1"),
        (["0\tcom.a", "1\tcom.b"], ["0\t1", "1\t7"], "edges", "line 2: edge 1 -> 7 names a vertex"),
        (["0\tcom.a", "1\tcom.b"], ["0\t1", "1\tb"], "edges", "line 2: 'b' is not an integer id"),
        (["0\tcom.a", "1\tcom.b"], ["0\t1\t5"], "edges", "line 1: 3 columns, expected 2"),
    ],
)
def test_bad_rows_name_file_and_line(
    tmp_path: Path, vertices: list[str], edges: list[str], bad_file: str, expected: str
) -> None:
    gz(tmp_path / "domain" / "vertices" / "part-0.txt.gz", vertices)
    gz(tmp_path / "domain" / "edges" / "part-0.txt.gz", edges)
    with pytest.raises(ImportFormatError) as info:
        load_domain_graph(tmp_path, "domain")
    message = str(info.value)
    assert "\n" not in message
    assert f"{bad_file}/part-0.txt.gz" in message
    assert expected in message


def test_missing_files_say_what_to_download(tmp_path: Path) -> None:
    gz(tmp_path / "domain" / "vertices" / "part-0.txt.gz", ["0\tcom.a"])
    with pytest.raises(ImportFormatError, match="no domain edges files"):
        load_domain_graph(tmp_path, "domain")
    with pytest.raises(ImportFormatError, match="no such folder"):
        load_domain_graph(tmp_path / "nowhere", "domain")
    gz(tmp_path / "domain" / "x-edges.paths.gz", ["projects/x/domain/edges/part-9.txt.gz"])
    with pytest.raises(ImportFormatError, match=r"x-edges.paths.gz line 1: part file .* not found"):
        load_domain_graph(tmp_path, "domain")


def test_lists_at_the_release_root_are_picked_by_level(tmp_path: Path) -> None:
    write_level(tmp_path / "d", DOMAINS, EDGES, HOSTS_PER_DOMAIN, parts=1)
    write_level(tmp_path / "h", ["com.alpha", "com.alpha.blog"], [(0, 1)], parts=1)
    for level, folder in (("domain", "d"), ("host", "h")):
        for kind in ("vertices", "edges"):
            listed = [f"projects/hyperlinkgraph/cc-main-x/{folder}/{kind}/part-00000.txt.gz"]
            gz(tmp_path / f"cc-main-x-{level}-{kind}.paths.gz", listed)
    assert load_domain_graph(tmp_path, "domain").names.to_pylist() == DOMAINS
    host = load_domain_graph(tmp_path, "host")
    assert host.names.to_pylist() == ["com.alpha"]  # two hosts of one domain
    assert host.src.size == 0  # their link is inside the domain
