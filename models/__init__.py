"""Model catalogue, runtime over llama-cpp-python, grounded prompting and drafting. Plain Python, no Qt."""
