"""The eval suite: eval sets (evals/sets/*.yaml), the runner behind `policybot eval`, reports.

- `evals.runner`: the item format (`load_items`), `run_eval`, baseline comparison, the gate.
- `evals.metrics`: the matching rules and metrics, pure functions.
- `evals.report`: the HTML and Markdown reports with the pass-rate-per-tag chart.
"""
