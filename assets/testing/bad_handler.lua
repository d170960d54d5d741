-- `update` must be a function.
return { update = 5 }
