"""Maps the top-level ``rules/`` tree into the package as ``agentlint.rules``.

pyproject.toml cannot express "find the packages under rules/ and rename their root", and a hand-kept
list would silently drop a new rule family from the wheel; everything else lives in pyproject.toml.
"""

from setuptools import find_packages, setup

rule_packages = ["agentlint.rules"] + [f"agentlint.rules.{name}" for name in find_packages("rules")]

setup(
    packages=find_packages(include=["agentlint", "agentlint.*"]) + rule_packages,
    package_dir={"agentlint.rules": "rules"},
    package_data={"agentlint.rules": ["**/*.md"]},
)
