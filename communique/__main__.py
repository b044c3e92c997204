"""`python -m communique` is the `communique` command."""

from communique.cli import main

main()
