"""`python -m bots` runs the `cnht` command line."""
from bots.cli import main

main()
