from voicesync.cli import main

main()
