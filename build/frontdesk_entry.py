"""The frozen program's entry point: the same `frontdesk` command line as `pip install` gives.

With FRONTDESK_CPU_PROBE set, this process is instead the child that tries one llama.cpp CPU
variant (models/cpu_probe.py): in the frozen folder the program itself is the only executable
there is to start it with. Checked first, before anything loads llama.cpp.
"""

import os

if os.environ.get("FRONTDESK_CPU_PROBE"):
    from models.cpu_probe import main as run_cpu_probe

    run_cpu_probe()  # never returns

from desktop.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
