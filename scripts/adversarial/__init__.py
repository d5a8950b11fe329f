"""The adversarial pass of issue 24: bad inputs and faults against `lutml` and `lutml serve`.

harness (a command-line case and how it is judged), fixtures (the input files), cli_cases (the
issue's command-line cases), cli_more (the second pass's), web and web_cases (a real `lutml
serve` and the requests sent to it), run (the runner and its table). Run it with
``.venv/bin/python scripts/adversarial_pass.py``.
"""
