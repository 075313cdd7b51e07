from rfsn.cli import main

main()
