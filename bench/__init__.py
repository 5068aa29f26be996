"""Engine benchmarks: our engine and LangGraph side by side in one run (``python -m bench``)."""

__all__: list[str] = []
