from voicesync.entry import main

main()
