"""Pipeline glue: what the DVC stages (stages/*.py) and `make run` call; lutml/ does the work.

- `params`: a stage's positional paths (params.yaml is read by `lutml.config.params`).
- `config`: compose conf/ into params.yaml (`python -m lutml.pipeline.config [overrides...]`).
- `look_basis`: stage `fit_luts` for the look estimator: the look basis of the training looks.
- `evaluate`: the evaluate stage: the learned look vs the true look and the baselines on held-out
  photos, reliability checks, the one-still table.
- `report`: `python -m lutml.pipeline.report`, the results table after `make run`.
- `original`: the original project's pix2pix baseline trained on our graded frames (stage
  `original`).

Nothing is imported here: `lutml.pipeline.params` stays cheap (no TensorFlow, no MLflow).
"""
