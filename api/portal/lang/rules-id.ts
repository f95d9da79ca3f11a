/**
 * A workflow's refusal (`refused`) by the rule it names (workflows/nomination-rules.ts), with its values already in
 * the reader's words: stages by name, regions by name, instants in the cycle's time zone (../refusals.ts). In Bahasa
 * Indonesia; rules-en.ts has the same keys, and test/unit/refusal-rules.test.ts holds both to every rule a validator names.
 */

/** One text per rule, from the refusal's params. */
export type RuleTexts = Partial<Record<string, (p: Record<string, string>) => string>>;

export const rulesId: RuleTexts = {
  unknown_session: (p) => `Sesi sosialisasi ${p.session} tidak ada dalam siklus ini.`,
  session_other_province: (p) =>
    `Sesi ${p.session} tidak mencakup ${p.province} dan tidak menerima kehadiran susulan` +
    (p.covering ? `; sesi untuk provinsi ini: ${p.covering}.` : '.'),
  wrong_stage: (p) => `Usulan ini sedang pada tahap ${p.stage}; tindakan ini hanya untuk tahap ${p.needs}.`,
  on_hold: (p) =>
    `Usulan ini ditahan karena batas waktu untuk ${p.deadline} terlewat; koordinator harus memutuskan terlebih dahulu.`,
  closed: (p) => `Usulan ini sudah selesai (${p.stage}); tidak ada tindakan lagi yang diterima.`,
  dinas_kabkota_only: (p) => `${p.role} tidak dapat melakukan ini; ini tindakan dinas kabupaten/kota.`,
  other_province: (p) => `${p.region} berada di provinsi lain; usulan ini milik ${p.regency}.`,
  other_regency: (p) =>
    `${p.region} tidak dapat bertindak untuk ${p.regency}; hanya dinas kabupaten/kota pengusulnya yang dapat.`,
  dinas_provinsi_only: (p) => `${p.role} tidak dapat melakukan ini; ini pra-seleksi dinas provinsi ${p.province}.`,
  other_province_prescreen: (p) =>
    `Dinas provinsi ${p.region} tidak dapat melakukan pra-seleksi usulan dari ${p.province}; hanya dinas provinsinya sendiri yang dapat.`,
  coordinator_only: (p) => `${p.role} tidak dapat melakukan ini; hanya koordinator yang dapat.`,
  withdraw_during_determination: () => 'Bintang usulan ini sedang ditetapkan; usulan tidak dapat ditarik lagi.',
  withdraw_reason_required: () => 'Tuliskan alasan penarikan.',
  prescreen_decided: () => 'Pra-seleksi putaran ini sudah diputuskan.',
  prescreen_reason_required: () => 'Tuliskan alasannya.',
  prescreen_returns_used: (p) =>
    `Usulan ini sudah dikembalikan ${p.returns} kali, batas siklus ini (${p.max}); loloskan atau tolak.`,
  prescreen_missing_required: () => 'Pilih dokumen yang harus dilengkapi.',
  visit_after_deadline: (p) =>
    `Tanggal kunjungan harus sebelum batas waktu verifikasi lapangan (${p.deadlineAt}); perpanjang batas waktunya dahulu.`,
  visit_already_scheduled: (p) => `Kunjungan sudah dijadwalkan pada ${p.visitAt} dengan tim ini.`,
  evidence_before_visit: (p) => `Kunjungan lapangan pada ${p.visitAt}; bukti dicatat di lokasi, mulai saat itu.`,
  deadline_not_later: (p) => `Batas waktu baru harus lebih lambat dari yang berlaku (${p.currentAt}).`,
  actor_missing: () => 'Pelaku tindakan tidak disebutkan.',
  actor_role_unknown: () => 'Peran pelaku tidak dikenal.',
  actor_region_invalid: () => 'Wilayah pelaku harus kode Kemendagri, misalnya 32 atau 32.05.',
  text_required: (p) => `${p.what} wajib diisi.`,
  text_not_text: (p) => `${p.what} harus berupa teks.`,
  text_too_long: (p) => `${p.what} paling banyak ${p.max} karakter (terisi ${p.length}).`,
  text_control: (p) => `${p.what} memuat karakter kendali atau pengubah arah teks.`,
  text_invisible: (p) => `${p.what} tidak memuat satu pun karakter yang terlihat.`,
  text_no_letter: (p) => `${p.what} harus memuat paling sedikit satu huruf atau angka.`,
  instant_format: (p) => `${p.what} harus tanggal dan jam dengan zona waktu, misalnya 2027-05-31T23:59:00+07:00.`,
  instant_not_real: (p) => `${p.what} ${p.value} bukan tanggal dan jam yang ada.`,
  date_format: (p) => `${p.what} harus tanggal bertulis TTTT-BB-HH.`,
  date_not_real: (p) => `${p.what} ${p.value} bukan tanggal yang ada.`,
  email_invalid: (p) => `${p.what} harus alamat email.`,
  unknown_document_kind: (p) => `Jenis dokumen ${p.kind} tidak ada dalam daftar periksa siklus ini.`,
  document_not_required: (p) => `Dokumen ${p.kind} tidak diminta untuk komoditas ${p.commodity}.`,
  revision_other_kind: (p) => `Verifikator meminta ${p.asked} pada putaran perbaikan ini, bukan ${p.kind}.`,
  prescreen_other_kind: (p) => `Dinas provinsi meminta dilengkapi ${p.asked}, bukan ${p.kind}.`,
  document_submitted: (p) => `Dokumen ${p.kind} sudah dikirim pada putaran ${p.round}.`,
  checksum_invalid: (p) => `Sidik SHA-256 berkas ${p.file} tidak sah (64 karakter heksadesimal huruf kecil).`,
  size_invalid: (p) => `Ukuran berkas ${p.file} harus bilangan bulat byte, paling sedikit 1.`,
  document_id_invalid: () => 'Rujukan berkas tersimpan tidak sah.',
  review_decision_invalid: () => 'Keputusan verifikasi harus setujui, minta perbaikan, atau tolak.',
  review_decided: () => 'Verifikasi putaran ini sudah diputuskan.',
  review_reason_required: () => 'Tuliskan alasannya.',
  prescreen_decision_invalid: () => 'Keputusan pra-seleksi harus loloskan, kembalikan, atau tolak.',
  prescreen_missing_not_return: () => 'Dokumen yang harus dilengkapi hanya dipilih bila usulan dikembalikan.',
  prescreen_missing_unknown: (p) => `${p.kind} bukan dokumen yang dikirim usulan ini.`,
  prescreen_missing_twice: () => 'Satu jenis dokumen dipilih dua kali.',
  samples_recorded: () => 'Penerimaan sampel produk sudah dicatat.',
  samples_in_future: (p) => `Tanggal diterima ${p.day} belum tiba; catat sampel setelah sampai.`,
  samples_condition_invalid: () => 'Kondisi sampel tidak dikenal.',
  samples_notes_required: () => 'Tuliskan catatan bila sampel tidak dalam kondisi baik.',
  assessor_only: (p) => `${p.role} tidak dapat melakukan ini; hanya penilai yang ditugaskan yang dapat.`,
  assessor_own_province: (p) =>
    `Benturan kepentingan: penilai ${p.assessor} berasal dari ${p.province}, provinsi usulan ini sendiri.`,
  not_assigned: (p) => `Penilai ${p.assessor} tidak ditugaskan pada usulan ini.`,
  scores_submitted: (p) => `Penilai ${p.assessor} sudah mengirim nilai.`,
  scores_invalid: (p) => `Nilai tidak sah: ${p.problem}.`,
  panel_scored: (p) => `Penilai ${p.assessor} sudah mengirim nilai dan tidak dapat lagi keluar dari tim penilai.`,
  no_replacement: (p) =>
    `Tidak ada penilai lain yang memenuhi syarat untuk menggantikan penilai ${p.assessor} pada usulan ini.`,
  stars_determined: () => 'Bintang usulan ini sudah ditetapkan.',
  stars_invalid: () => 'Bintang harus bilangan bulat 0 sampai 5.',
  stars_above_cap: (p) => `Bintang ${p.stars} melebihi batas siklus ini (paling tinggi Bintang ${p.max}).`,
  determine_reason_required: (p) =>
    `Tuliskan alasan untuk menetapkan ${p.stars} bintang, berbeda dari rekomendasi ${p.recommended}.`,
  determination_pending: (p) =>
    `Bintang ${p.stars} menunggu persetujuan koordinator kedua hingga ${p.untilAt}; setujui atau tolak dahulu.`,
  nothing_to_approve: (p) => `Tidak ada penetapan yang menunggu persetujuan (usulan pada tahap ${p.stage}).`,
  approve_own_determination: (p) =>
    `Anda sendiri yang menetapkan Bintang ${p.stars}; koordinator lain yang harus menyetujui atau menolaknya.`,
  decision_approve_refuse: () => 'Keputusan harus setujui atau tolak.',
  decree_missing: () => 'SK belum disebutkan.',
  decree_other_stars: (p) => `SK mencantumkan Bintang ${p.stars}, sedangkan rekomendasinya Bintang ${p.recommended}.`,
  decree_signatory_missing: () => 'SK memerlukan penandatangannya.',
  decree_signatory_office: (p) => `Jabatan penandatangan SK harus salah satu dari: ${p.offices}.`,
  decree_number_taken: (p) =>
    `SK nomor ${p.number} sudah tercatat dengan tanggal atau penandatangan lain; SK baru perlu nomor sendiri.`,
  other_province_certificate: (p) => `${p.region} tidak dapat bertindak untuk ${p.regency}, di provinsi lain.`,
  certificate_recorded: (p) => `Penyerahan sertifikat sudah dicatat: ${p.day} oleh ${p.by}.`,
  certificate_not_recorded: () => 'Siklus ini tidak mencatat penyerahan sertifikat.',
  certificate_before_determination: (p) =>
    `Usulan ini pada tahap ${p.stage}; sertifikat diserahkan setelah bintang ditetapkan.`,
  handover_in_future: (p) => `Tanggal penyerahan ${p.day} belum tiba.`,
  handover_before_determination: (p) => `Tanggal penyerahan ${p.day} sebelum penetapan bintang (${p.determinedOn}).`,
  deadline_in_past: () => 'Batas waktu baru harus di masa depan.',
  deadline_stage_invalid: () => 'Langkah yang batas waktunya diubah tidak dikenal.',
  no_such_step: (p) => `Siklus ini tidak memiliki langkah ${p.deadline}.`,
  not_on_hold: () => 'Usulan ini tidak sedang ditahan.',
  hold_decision_invalid: () => 'Keputusan harus perpanjang atau diskualifikasi.',
  no_panel_extend: (p) =>
    `Tidak ada penilai komoditas ${p.commodity} dari luar ${p.province}; tambahan waktu tidak menghasilkan tim penilai. ` +
    'Diskualifikasi usulan ini, atau dinasnya menariknya.',
  field_visit_configured: () =>
    'Siklus ini memverifikasi di lapangan dengan kunjungan: koordinator menjadwalkannya dan timnya mencatat bukti.',
  field_visit_not_configured: () =>
    'Siklus ini tidak memakai kunjungan lapangan; koordinator mencatat hasil verifikasi.',
  passed_not_boolean: () => 'Hasil verifikasi lapangan harus lulus atau tidak lulus.',
  field_verification_recorded: () => 'Hasil verifikasi lapangan sudah dicatat.',
  visit_evidence_started: () => 'Tim sudah mulai mencatat bukti di lokasi; kunjungan tidak dapat dijadwalkan ulang.',
  visit_in_past: () => 'Tanggal kunjungan harus di masa depan.',
  team_not_list: () => 'Tim kunjungan harus daftar penilai.',
  team_size: (p) =>
    p.min === p.max
      ? `Tim kunjungan lapangan beranggotakan ${p.min} orang (dipilih ${p.got}).`
      : `Tim kunjungan lapangan beranggotakan ${p.min} sampai ${p.max} orang (dipilih ${p.got}).`,
  unknown_assessor: (p) => `Penilai ${p.assessor} tidak ada dalam daftar penilai siklus ini.`,
  team_twice: (p) => `Penilai ${p.assessor} disebut dua kali dalam tim.`,
  team_excluded_assessor: (p) =>
    `Penilai ${p.assessor} sudah dikeluarkan dari tim penilai usulan ini dan tidak dapat ikut kunjungan lapangannya.`,
  visit_team_only: (p) => `${p.role} tidak dapat mencatat bukti lapangan; hanya anggota tim kunjungan yang dapat.`,
  visit_not_scheduled: () => 'Kunjungan lapangan belum dijadwalkan; koordinator menjadwalkannya dahulu.',
  not_on_team: (p) => `Penilai ${p.assessor} bukan anggota tim kunjungan lapangan.`,
  items_empty: () => 'Catat paling sedikit satu butir daftar periksa.',
  item_not_object: () => 'Setiap butir harus menyebut butirnya dan apakah ditemukan.',
  unknown_checklist_item: (p) => `Butir ${p.item} tidak ada dalam daftar periksa (${p.checklist}).`,
  item_twice: (p) => `Butir ${p.item} disebut dua kali.`,
  item_recorded: (p) => `Butir ${p.item} sudah dicatat oleh ${p.by}.`,
  found_not_boolean: (p) => `Untuk butir ${p.item}, pilih ditemukan atau tidak.`,
  evidence_files: (p) => `Berkas bukti butir ${p.item} paling banyak ${p.max}.`,
  file_not_object: (p) => `Setiap berkas butir ${p.item} memerlukan id, nama, sidik dan ukurannya.`,
  file_id_invalid: (p) =>
    `Id berkas butir ${p.item} hanya boleh huruf, angka, '_', '.', ':' atau '-' (paling banyak 120).`,
  nomination_missing: () => 'Usulan tidak disebutkan.',
  nominate_dinas_only: (p) => `${p.role} tidak dapat mengusulkan; dinas kabupaten/kota mengusulkan IKM-nya sendiri.`,
  intake_closed: (p) => `Pengusulan untuk siklus ${p.cycle} sudah ditutup.`,
  other_cycle: (p) => `Ini siklus ${p.cycle}, bukan ${p.asked}.`,
  unknown_regency: (p) => `Kode kabupaten/kota ${p.code} tidak dikenal (kode Kemendagri, misalnya 32.05).`,
  nominate_other_regency: (p) =>
    `${p.region} hanya dapat mengusulkan IKM kabupaten/kotanya sendiri, bukan ${p.regency}.`,
  province_no_session: (p) => `${p.province} tidak memiliki sesi sosialisasi dalam siklus ini.`,
  commodity_invalid: () => 'Komoditas tidak dikenal.',
  sentra_size_invalid: (p) =>
    `Sentra harus beranggotakan paling sedikit ${p.min} usaha yang membuat produk sama (dan paling banyak 1.000.000).`,
  sentra_too_small: (p) =>
    `Sentra harus beranggotakan paling sedikit ${p.min} usaha yang membuat produk sama; sentra ini ${p.size}.`,
  previous_stars_invalid: () => 'Bintang sebelumnya harus 1 sampai 5.',
  already_nominated: (p) => `${p.ikm} dari ${p.regency} sudah diusulkan dalam siklus ini.`,
  sentra_taken: (p) =>
    `Sentra ${p.sentra} dari ${p.regency} sudah memiliki usulan dalam siklus ini; satu sentra diusulkan sekali per siklus.`,
  cycle_deadline_not_later: (p) => `Batas waktu siklus untuk ${p.deadline} sudah ${p.currentAt}.`,
  cycle_finalized: (p) => `Siklus ${p.cycle} sudah difinalisasi.`,
  finalization_requested: (p) => `Finalisasi siklus ${p.cycle} sudah diminta.`,
};
