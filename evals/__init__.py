"""The eval suite: eval sets, the runner behind `policybot eval`, comparisons and reports.

- `evals.schema`: the eval-file format (pydantic `Item`) and its Swedish error messages.
- `evals.loading`: eval files, eval sets with their own corpus (`questions.yaml` + `corpus/`).
- `evals.running`: asks the bot every item and scores it; combines several sets' results.
- `evals.comparing`: baselines, item-by-item comparison, the gate.
- `evals.report` (with `evals.markdown`, `evals.summary`): HTML, Markdown and terminal summary.
- `evals.results`: the result types the modules above share; `evals.metrics`: pure metrics.
- `evals.command`: `policybot eval`, wiring the above; `run_set` and `settings_for_set`.
"""
