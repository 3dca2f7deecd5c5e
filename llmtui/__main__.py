from llmtui.entry import main

main()
