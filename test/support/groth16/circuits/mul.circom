pragma circom 2.0.0;

// Two constraints, one public input (k) and one output (c): publicSignals = [c, k].
template Mul() {
  signal input a;
  signal input b;
  signal input k;
  signal output c;
  signal t;
  t <== a * b;
  c <== t * k + a;
}

component main {public [k]} = Mul();
