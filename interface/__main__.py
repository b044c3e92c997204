"""`python -m interface` is the `communique` command."""

from interface.cli import main

main()
