"""`make load` by job: ``server`` (start/stop the app), ``client`` (a websocket session on
Streamlit's private protocol, guarded by version), ``chromium`` (a student in the browser),
``scenario`` (the classroom), ``report`` (the tables). ``tests/`` import only ``server`` and
``client``."""
