"""``python -m linkflow`` runs the command line."""

from linkflow.cli import main

main()
