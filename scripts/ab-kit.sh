#!/usr/bin/env bash
# Compiles the kernel variants a GPU session times against each other (scripts/gpu-ab.sh on the host):
#   scripts/ab-kit.sh [KIT]         (default .gpu): KIT/ab/NAME, each a `kc compile --emit ptx` folder
# Each line of VARIANTS below: a name, a shared problem, optionally precision=P (kc compile --precision P), and a
# schedule for its one group (- for kc's default).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
KIT=$(readlink -f "${1:-$ROOT/.gpu}"); SHARED="$ROOT/../shared/kernelbench"
MM=level1/1_Square_matrix_multiplication_.py; L2=level2/9_Matmul_Subtract_Multiply_ReLU.py
AVG=level1/44_Average_Pooling_1D.py; MAX=level1/42_Max_Pooling_2D.py; SUM=level1/47_Sum_reduction_over_a_dimension.py
LK=level1/6_Matmul_with_large_K_dimension_.py
VARIANTS="
mm_default        $MM  -
mm_s1             $MM  strategy tile  tile 64x128x16  warp 32x32  mma tf32x3  stages 1  accumulate double
mm_s2             $MM  strategy tile  tile 64x128x16  warp 32x32  mma tf32x3  stages 2  accumulate double
mm_s4             $MM  strategy tile  tile 64x128x16  warp 32x32  mma tf32x3  stages 4  accumulate double
mm_swizzle8       $MM  strategy tile  tile 64x128x16  warp 32x32  mma tf32x3  stages 3  swizzle 8  accumulate double
mm_128x64_s4      $MM  strategy tile  tile 128x64x16  warp 32x32  mma tf32x3  stages 4  accumulate double
mm_64x64_s3       $MM  strategy tile  tile 64x64x16  warp 32x32  mma tf32x3  stages 3  accumulate double
mm_64x64w32x16_s3 $MM  strategy tile  tile 64x64x16  warp 32x16  mma tf32x3  stages 3  accumulate double
mm_64x128x32_s3   $MM  strategy tile  tile 64x128x32  warp 32x32  mma tf32x3  stages 3  accumulate double
mm_128x128x8_s3   $MM  strategy tile  tile 128x128x8  warp 32x32  mma tf32x3  stages 3  accumulate double
l2_default        $L2  -
l2_s1             $L2  strategy tile  tile 64x128x16  thread 4x8  stages 1  accumulate double
l2_s4             $L2  strategy tile  tile 64x128x16  thread 4x8  stages 4  accumulate double
avg_default       $AVG -
avg_128x16        $AVG strategy window  threads 128  items 16
avg_256x16        $AVG strategy window  threads 256  items 16
avg_512x4         $AVG strategy window  threads 512  items 4
max_default       $MAX -
max_128x16        $MAX strategy window  threads 128  items 16
max_256x16        $MAX strategy window  threads 256  items 16
max_512x8         $MAX strategy window  threads 512  items 8
sum_default       $SUM -
sum_128           $SUM strategy pointwise  threads 128
sum_512           $SUM strategy pointwise  threads 512
mm_tf32           $MM  precision=tf32 -
mm_bf16           $MM  precision=bf16 -
mm_tf32_64x128    $MM  precision=tf32 strategy tile  tile 64x128x16  warp 32x32  mma tf32  stages 3  accumulate plain
largek_default    $LK  -
largek_pointwise  $LK  strategy pointwise  threads 256  items 1  vector 4  accumulate double
"
rm -rf "$KIT/ab"; mkdir -p "$KIT/ab"
echo "$VARIANTS" | while read -r name problem knobs; do
  [ -z "$name" ] && continue
  args=()
  case "$knobs" in precision=*) args=(--precision "${knobs%% *}"); args[1]=${args[1]#precision=}; knobs=${knobs#* } ;; esac
  if [ "$knobs" != "-" ]; then
    group=$("$ROOT/kc" explain "$SHARED/$problem" | awk '/^groups:/{getline; print $1; exit}')
    printf 'group %s\n  %s\n' "$group" "$knobs" > "$KIT/ab/$name.schedule"
    args+=(--schedule "$KIT/ab/$name.schedule")
  fi
  "$ROOT/kc" compile "$SHARED/$problem" --emit ptx "${args[@]}" -o "$KIT/ab/$name" > /dev/null
done
# a small tiled matmul with edges everywhere for compute-sanitizer
cat > "$KIT/ab/small_mm.py" <<'PY'
import torch
import torch.nn as nn
class Model(nn.Module):
    def forward(self, a, b):
        return a @ b
def get_inputs():
    return [torch.randn(300, 257), torch.randn(257, 190)]
def get_init_inputs():
    return []
PY
printf 'group matmul#1\n  strategy tile  tile 64x64x16  warp 32x32  mma tf32x3  stages 3  accumulate double\n' > "$KIT/ab/small_mm.schedule"
"$ROOT/kc" compile "$KIT/ab/small_mm.py" --emit ptx --schedule "$KIT/ab/small_mm.schedule" -o "$KIT/ab/sanitize_mm" > /dev/null
echo "ab-kit: $(ls -d "$KIT"/ab/*/ | wc -l) variants in $KIT/ab"
