"""The command line: the formats its flags accept are the readers' formats."""
import contextlib
import os
import unittest

from localrank_torch import cli, readers


class FormatChoices(unittest.TestCase):
    def test_format_flags_accept_exactly_the_registered_readers(self):
        self.assertEqual(set(cli.FORMATS), {'auto', *readers.INTERACTIONS})
        self.assertEqual(set(cli.CATALOG_FORMATS), {'auto', *readers.CATALOGS})

    def test_a_misspelt_or_abbreviated_flag_is_refused(self):
        parser = cli._train_parser()
        for argv in (['--dataset', 'x', '--txet', 'y'], ['--dataset', 'x', '--epoch', '3'], ['--dataset', 'x', '--format', 'csvv']):
            with self.assertRaises(SystemExit, msg=argv), open(os.devnull, 'w') as quiet, contextlib.redirect_stderr(quiet):
                parser.parse_args(argv)


if __name__ == '__main__':
    unittest.main()
