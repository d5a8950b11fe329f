"""Typed configuration, the ground floor: one frozen dataclass per block of `params.yaml`, one per
stage. It imports nothing of lutml above it (only the standard library and its own modules).

Config flows conf/ -> params.yaml -> stages; each stage converts its blocks once, at its top
(``cfg = TrainStage.from_params(load_params())``), and hands typed objects or plain arguments down.
The dataclasses have no default values: defaults live only in `conf/`. Converting checks the keys:
an unknown or a missing key raises `ConfigError` naming the block and the keys.

- `validators`: `ConfigError`, key and type checks, `Block` (the base of the blocks).
- one module per block: `look`, `corpus`, `frames`, `synth`, `split`, `fit`, `model`, `train`,
  `eval`, `original`.
- `registries`: the one table of models (`MODELS`: name -> config class, kind, generator builder)
  and which class reads a block whose keys differ by variant: `model` by `model.name`, `train` by
  the model's kind (look estimator or pair-trained GAN).
- `params`: loading params.yaml (`load_params`) and the whole file as one config (`Params`).
- `stages`: each DVC stage's view of it (`STAGES` of dvc.yaml, `PAIR_STAGES` of the pair-trained
  method's pipelines/pairs/dvc.yaml), whose fields are the stage's dvc.yaml `params:`.

Two blocks stay typed mappings, on purpose: a look's parameters (`LookConfig.params`: they differ
per look family; their keys are checked against `look.LOOK_PARAMS`) and `synth.families` (weights
keyed by degradation family; the keys are checked against `synth.DEGRADATIONS`).
"""
