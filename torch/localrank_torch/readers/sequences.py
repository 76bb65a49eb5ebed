"""`user item item ...`: one user per line, items in time order (Amazon logs as preprocessed for
S3-Rec). No timestamps: the corpus gives them evenly spaced synthetic times, as the Node reader."""
from .common import open_text


class SequenceFile:
    kind = 'sequences'
    event_type = 'purchase'
    timestamps = False

    def __init__(self, path, **_options):
        self.path = path

    def sequences(self):
        with open_text(self.path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 2:
                    continue
                yield parts[0], parts[1:]

    def catalog(self):
        return iter(())
