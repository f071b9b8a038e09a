"""The application's Qt-free services, shared by the window (desktop/) and the command line (cli/)."""
