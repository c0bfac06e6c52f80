//! Results out: CSV files, charts, the HTML report and the terminal summary.
