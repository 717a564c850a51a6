"""Rebuild the stage model shipped in ``weerbaar/assess/models/stage.npz`` (``make model``)."""

from weerbaar.assess.stage import main

if __name__ == "__main__":
    main()
