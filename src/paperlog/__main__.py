"""``python -m paperlog``: the same as the ``paperlog`` command."""

from paperlog.cli.fastpath import main

if __name__ == "__main__":
    main()
