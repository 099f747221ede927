"""Report: charts, words, disclosure control and the HTML board report."""
