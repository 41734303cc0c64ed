//! The computed state of a task or assignment (issue 3).
