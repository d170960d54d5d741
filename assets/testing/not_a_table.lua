-- A script must return a table; this one returns a number.
return 42
