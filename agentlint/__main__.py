from agentlint.cli import main

main()
