-- Keep only the entries of a general blog that carry one of the wanted tags, matched
-- without regard to case: options.tags = { 'python', 'django' } (default { 'python' }).
-- A planet about one topic uses it for authors who write about many.
return {
  entry = function(e, ctx)
    local wanted = {}
    for _, t in ipairs(ctx.options.tags or { 'python' }) do wanted[t:lower()] = true end
    for _, t in ipairs(e.tags or {}) do
      if wanted[t:lower()] then return e end
    end
    -- (the reason is what `orrery why` says about it)
    return nil, 'not tagged ' .. table.concat(ctx.options.tags or { 'python' }, ' or ')
  end,
}
