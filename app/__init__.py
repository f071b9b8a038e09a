"""Qt-free application services the window and the command line share (DESIGN.md, "Layers")."""
