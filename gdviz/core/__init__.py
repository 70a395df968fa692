"""The NumPy core: networks that step one iteration at a time and return records.

Nothing here imports Streamlit or Plotly (a test enforces it).
"""
