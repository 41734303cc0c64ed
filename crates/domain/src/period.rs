//! Reporting periods of Decree 09/2019 and their submission deadlines (issue 3).
