"""``python -m chinwag``: the same CLI as the ``chinwag`` command."""

from chinwag.cli import main

if __name__ == "__main__":
    main()
