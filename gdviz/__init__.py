"""gdviz: gradient descent made visible, lesson by lesson (Grokking Deep Learning, ch. 4-8).

Layers, each importing only the ones above it:
core (NumPy) -> experiments -> figures (Plotly) -> ui (Streamlit) -> pages.
"""

__version__ = "0.1.0"
