"""Pipeline glue: what the DVC stages (stages/*.py) and `make run` call; lutml/ does the work.

- `params`: read params.yaml (composed from conf/) and a stage's positional paths.
- `schema`: typed, frozen configs of params.yaml's blocks and of each stage (no defaults: conf/ has
  them); converting checks for unknown and missing keys.
- `config`: compose conf/ into params.yaml (`python -m lutml.pipeline.config [overrides...]`).
- `tracking`: the MLflow store, runs and tags of training and evaluation.
- `ground_truth`: the lattice fit of every (input, target) pair (stage `fit_luts`) and reading it.
- `evaluate`: the evaluate stage: the learned look vs the true look and the baselines on held-out
  photos, reliability checks, the one-still table.
- `report`: `python -m lutml.pipeline.report`, the results table after `make run`.
- `original`: the original project's pix2pix baseline trained on our graded frames (stage
  `original`).

Nothing is imported here: `lutml.pipeline.params` stays cheap (no TensorFlow, no MLflow).
"""
