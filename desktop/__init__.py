"""The desktop app and the `frontdesk` command line. Qt is imported only where a window opens."""
