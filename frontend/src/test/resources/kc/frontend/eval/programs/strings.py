name = 'conv'
dims = (3, 64)
eps = 1e-05
msg1 = f'{name}: {dims} eps={eps} {eps:.1e} {dims[1]:>5d} {name!r:^10} {len(name)}'
msg2 = 'Expected {} but got {}'.format(4, 'x')
msg3 = '{name}/{idx:03d}'.format(name='layer', idx=7)
msg4 = '%s has %d params (%.2f%%)' % ('fc', 1200, 12.345)
msg5 = '-'.join(str(d) for d in dims)
msg6 = f"{'nested ' + name.upper()}"
msg7 = f'{3.14159:.3}|{1234.5:,.1f}|{-7:+}|{0.000012345:.2e}|{255:#06x}|{True}|{None}'
parts = 'layer1.0.conv1.weight'.split('.')
result = (msg1, msg2, msg3, msg4, msg5, msg6, msg7, parts, '.'.join(parts[:-1]), 'weight' in parts,
          'Conv2d'.lower().startswith('conv'), repr(1.0), repr(0.1), str(1e-7), str(123456789.0), str(1e22),
          repr([1.5, 'a', (None,)]), str({'k': [1]}), 'ab'.upper() * 2, 'a\tb'.expandtabs(4) if False else 'skip',
          '%r' % 'q', 'x=%(x)s' % {'x': 5}, format(0.5, '.0%'), format(12, 'b'), '{:<4}|{:>4}'.format('a', 'b'))
