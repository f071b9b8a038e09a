"""The frozen program's entry point: the same `frontdesk` command line as `pip install` gives."""

from desktop.cli import main

if __name__ == "__main__":
    main()
