local util = {}
function util.inc(n) return (n or 0) + 1 end
return util
