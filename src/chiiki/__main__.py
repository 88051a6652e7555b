from chiiki.cli import main

main()
