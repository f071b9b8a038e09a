"""The frozen program's entry point: the same `frontdesk` command line as `pip install` gives."""

from cli import main

if __name__ == "__main__":
    main()
