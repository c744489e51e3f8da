"""Side-by-side benchmarks of geoaccess's hot paths against what users would otherwise use."""
