from llmtui.cli import main

main()
