"""Model catalogue, runtime over llama-cpp-python, grounded prompting and drafting. Plain Python, no Qt."""

from models.threads import prefer_passive_waiting

# llama.cpp's libraries link OpenMP (libgomp), which reads its wait policy once, when it loads with
# the first `import llama_cpp`; every such import in Frontdesk comes after this line. Passive:
# a thread waiting for the others sleeps rather than spins against the laptop's other programs
# (measured in benchmarks/busy_cpu.py).
prefer_passive_waiting()
