# Screenshot test: filled by helper screens.
