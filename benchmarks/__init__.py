"""Speed and memory benchmarks (`make bench`); targets are printed beside the figures."""
