from agentlint.findings import Severity
from agentlint.rule import EngineRule


class UnanalysableFile(EngineRule):
    """
    ## What it does
    Reports a file that is nested too deeply for the parsers (hundreds of nested brackets, thousands of
    chained operators, typically generated code) and was therefore not analysed.

    ## Why is this bad?
    No other rule checked the file. CPython itself usually refuses such a file ("too many nested
    parentheses"); where it does not, libcst's parser cannot take it without overflowing its stack.

    ## Example
    ```text
    x = ((((((((((((((((((((((((((((((... 300 levels ...))))))))))))))))))))))))))))))
    ```

    Use instead: flatten the expression, or exclude generated files with `extend-exclude`.
    """

    code = "AGL006"
    name = "unanalysable-file"
    summary = "file is too deeply nested to analyse"
    severity = Severity.WARNING
