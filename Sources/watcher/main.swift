print("watcher")
