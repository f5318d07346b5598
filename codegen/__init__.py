"""chinwag contract code generator: bundle, validate and generate from the contract files.

Run ``python -m codegen`` to regenerate ``generated/chinwag_contract`` and ``docs/``, and
``python -m codegen --check`` to verify the committed outputs are up to date.
"""
