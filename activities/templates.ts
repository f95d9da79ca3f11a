/**
 * Email templates in Bahasa Indonesia. Each names the IKM, the stage, the deadline and the action expected of the
 * recipient. They live beside the activity that sends them and render outside workflow code, so wording can change
 * without touching workflow determinism.
 */
import { COACHING_LABELS, SIGNATORY_LABELS } from '../domain/award';
import type { DeadlineStage, Stage } from '../domain/types';
import type { NotificationData, TemplateName } from './contracts';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export const STAGE_LABELS: Record<Stage, string> = {
  IDENTIFIED: 'Identifikasi',
  AWAITING_SOCIALIZATION: 'Menunggu kehadiran sosialisasi',
  AWAITING_DOCUMENTS: 'Menunggu dokumen',
  PROVINCIAL_PRESCREEN: 'Pra-seleksi dinas provinsi',
  PRESCREEN_RETURNED: 'Kelengkapan usulan (dikembalikan dinas provinsi)',
  AWAITING_SAMPLES: 'Menunggu sampel produk',
  UNDER_REVIEW: 'Verifikasi administrasi',
  REVISION_REQUESTED: 'Perbaikan dokumen',
  IN_ASSESSMENT: 'Penilaian',
  FIELD_VERIFICATION: 'Verifikasi lapangan',
  STAR_RECOMMENDED: 'Rekomendasi bintang',
  DETERMINED: 'Bintang ditetapkan',
  NOT_CLASSIFIED: 'Tidak terklasifikasi',
  PRESCREEN_REJECTED: 'Tidak lolos pra-seleksi provinsi',
  ADMIN_REJECTED: 'Tidak lolos administrasi',
  WITHDRAWN: 'Ditarik',
  DISQUALIFIED: 'Didiskualifikasi',
};

/** What the responsible party must do before a stage's deadline. */
export const ACTIONS: Record<DeadlineStage, string> = {
  attendance: 'menghadiri sesi sosialisasi untuk wilayah Anda dan mencatat kehadiran',
  documents: 'mengunggah seluruh dokumen persyaratan (legalitas usaha dan dokumen komoditas)',
  prescreen: 'memeriksa usulan dan memutuskan: lolos, dikembalikan untuk dilengkapi, atau ditolak',
  prescreenCompletion: 'melengkapi dokumen yang diminta dinas provinsi',
  samples: 'mengirim sampel produk ke Ditjen IKMA',
  revision: 'mengunggah perbaikan dokumen sesuai catatan verifikator',
  review: 'menyelesaikan verifikasi administrasi dokumen',
  assessment: 'mengisi lembar penilaian untuk seluruh kriteria',
  fieldVerification: 'mencatat hasil verifikasi lapangan',
  determination: 'menetapkan jumlah bintang',
};

export function formatDeadline(iso: string | undefined, timezone = 'Asia/Jakarta'): string {
  if (!iso) return '-';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) throw new TemplateError(`invalid deadline ${iso}`);
  // e.g. "Senin, 31 Mei 2027 pukul 23.59 WIB"; dateStyle cannot be combined with timeZoneName, hence the parts.
  return new Intl.DateTimeFormat('id-ID', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: timezone,
    timeZoneName: 'short',
  }).format(when);
}

const SIGNATORIES: Record<string, string> = SIGNATORY_LABELS;
const COACHING: Record<string, string> = COACHING_LABELS;

function decreeText(decree: NonNullable<NotificationData['decree']>): string {
  const signatory = SIGNATORIES[decree.signatory.office] ?? decree.signatory.office;
  return `Keputusan ${signatory} Nomor ${decree.number} tanggal ${decree.date} (${decree.signatory.name})`;
}

function coachingText(level: string | undefined): string {
  return level ? (COACHING[level] ?? level) : '-';
}

/** The announcement's lines about the award (r4): the decree, a re-evaluation's previous star, packaging, coaching. */
function awardLines(d: NotificationData): string[] {
  const lines: string[] = [];
  if (d.decree) lines.push(`Dasar penetapan: ${decreeText(d.decree)}.`);
  if (d.previousStars !== undefined) {
    const now = d.stars ?? 0;
    const moved = now > d.previousStars ? 'naik' : now < d.previousStars ? 'turun' : 'tetap';
    lines.push(
      `Hasil evaluasi ulang: Bintang sebelumnya ${d.previousStars}, kini ${now > 0 ? `Bintang ${now}` : 'tidak terklasifikasi'} (${moved}).`,
    );
  }
  if (d.packagingAllowed !== undefined && d.stars && d.stars > 0) {
    lines.push(
      d.packagingAllowed
        ? `Bintang ${d.stars} boleh dicantumkan pada kemasan produk.`
        : `Bintang ${d.stars} belum boleh dicantumkan pada kemasan produk (mulai Bintang ${d.packagingFromStars ?? 3}).`,
    );
  }
  if (d.coachingLevel) lines.push(`Pembinaan selanjutnya oleh ${coachingText(d.coachingLevel)}.`);
  return lines.length ? ['', ...lines] : [];
}

/** A session's calendar date as people read it: "Senin, 15 Maret 2027". */
export function formatDate(date: string): string {
  const when = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(when.getTime())) throw new TemplateError(`invalid date ${date}`);
  return new Intl.DateTimeFormat('id-ID', { dateStyle: 'full', timeZone: 'UTC' }).format(when);
}

/** Where and what: the sessions that cover the province, or the documents still missing; nothing for other stages. */
function whatIsNeeded(d: NotificationData): string[] {
  if (d.sessions?.length) {
    return [
      '',
      'Sesi sosialisasi untuk provinsi Anda:',
      ...d.sessions.map((x) => `  - ${formatDate(x.date)}, ${x.venue} (sesi ${x.id})`),
    ];
  }
  if (d.missingDocuments?.length)
    return ['', 'Dokumen yang belum diunggah:', ...d.missingDocuments.map((x) => `  - ${x}`)];
  return [];
}

export interface RenderedMail {
  subject: string;
  text: string;
}

export function render(template: TemplateName, d: NotificationData): RenderedMail {
  const ikm = d.ikmName ? `${d.ikmName} (${d.sentraName ?? ''}, ${d.regencyName ?? ''}, ${d.provinceName ?? ''})` : '';
  const stage = d.stage ? STAGE_LABELS[d.stage] : '';
  const deadline = formatDeadline(d.deadline, d.timezone);
  const action = d.deadlineStage ? ACTIONS[d.deadlineStage] : '';
  const hi = d.recipientName ? `Yth. ${d.recipientName},` : 'Yth. Bapak/Ibu,';
  const foot = `\n\n${d.cycleName ?? 'Penghargaan OVOP'}\nDitjen IKMA, Kementerian Perindustrian\nRef: ${d.workflowId ?? ''}`;
  const body = (subject: string, ...lines: string[]): RenderedMail => ({
    subject,
    text: [hi, '', ...lines].join('\n') + foot,
  });
  switch (template) {
    case 'intake_accepted':
      return body(
        `[OVOP] Usulan diterima: ${d.ikmName}`,
        `Usulan ${ikm} telah diterima pada tahap ${stage}.`,
        'Langkah berikutnya: hadiri sesi sosialisasi untuk wilayah Anda, lalu unggah dokumen persyaratan.',
      );
    case 'reminder':
      return body(
        `[OVOP] Pengingat batas waktu ${stage}: ${d.ikmName}`,
        `Tahap: ${stage}`,
        `IKM: ${ikm}`,
        `Batas waktu: ${deadline}`,
        '',
        `Mohon segera ${action} sebelum batas waktu.`,
        ...whatIsNeeded(d),
      );
    case 'escalation':
      return body(
        `[OVOP] Eskalasi: batas waktu ${stage} terlewat — ${d.ikmName}`,
        `Batas waktu tahap ${stage} untuk ${ikm} telah lewat (${deadline}).`,
        `Tindakan yang belum dilakukan: ${action}.`,
        // The pre-screen is the dinas provinsi's own step: its escalation goes to the coordinators.
        d.deadlineStage === 'prescreen'
          ? 'Dinas provinsi belum menyelesaikan pra-seleksi; mohon koordinator menindaklanjuti dengan dinas provinsi.'
          : 'Mohon dinas provinsi menindaklanjuti dengan dinas kabupaten/kota terkait.',
      );
    case 'prescreen_requested':
      return body(
        `[OVOP] Pra-seleksi provinsi diperlukan: ${d.ikmName}`,
        `Usulan ${ikm} telah lengkap dari dinas kabupaten/kota dan menunggu pra-seleksi dinas provinsi.`,
        `Mohon ${ACTIONS.prescreen} sebelum ${deadline}.`,
      );
    case 'prescreen_passed':
      return body(
        `[OVOP] Lolos pra-seleksi provinsi: ${d.ikmName}`,
        `Usulan ${ikm} lolos pra-seleksi dinas provinsi dan diteruskan ke seleksi administrasi nasional.`,
      );
    case 'prescreen_returned':
      return body(
        `[OVOP] Usulan dikembalikan untuk dilengkapi: ${d.ikmName}`,
        `Dinas provinsi mengembalikan usulan ${ikm} untuk dilengkapi.`,
        `Yang perlu dilengkapi: ${d.missing ?? '-'}`,
        `Catatan: ${d.reason ?? '-'}`,
        `Mohon unggah kelengkapan tersebut sebelum ${deadline}.`,
      );
    case 'prescreen_rejected':
      return body(
        `[OVOP] Tidak lolos pra-seleksi provinsi: ${d.ikmName}`,
        `Usulan ${ikm} tidak lolos pra-seleksi dinas provinsi dan tidak diteruskan ke seleksi nasional.`,
        `Alasan: ${d.reason ?? '-'}`,
      );
    case 'samples_requested':
      return body(
        `[OVOP] Kirim sampel produk: ${d.ikmName}`,
        `Usulan ${ikm} memerlukan sampel produk fisik sebelum seleksi administrasi.`,
        `Mohon ${ACTIONS.samples} sebelum ${deadline}; penerimaannya (tanggal, kondisi, penerima) akan dicatat.`,
      );
    case 'deadline_extended':
      return body(
        `[OVOP] Batas waktu diperpanjang: ${d.ikmName}`,
        `Batas waktu tahap ${stage} untuk ${ikm} diperpanjang hingga ${deadline}.`,
        `Mohon ${action} sebelum batas waktu baru.`,
      );
    case 'grace_granted':
      return body(
        `[OVOP] Masa tenggang: ${d.ikmName}`,
        `Batas waktu tahap ${stage} untuk ${ikm} telah lewat. Masa tenggang diberikan hingga ${deadline}.`,
        `Mohon ${action}; setelah masa tenggang usulan akan didiskualifikasi.`,
        ...whatIsNeeded(d),
      );
    case 'on_hold':
      return body(
        `[OVOP] Menunggu keputusan koordinator: ${d.ikmName}`,
        `Batas waktu tahap ${stage} untuk ${ikm} telah lewat (${deadline}).`,
        'Usulan ditahan sampai koordinator memutuskan: perpanjang batas waktu atau diskualifikasi.',
      );
    case 'disqualified':
      return body(
        `[OVOP] Usulan didiskualifikasi: ${d.ikmName}`,
        `Usulan ${ikm} didiskualifikasi pada tahap ${stage}${d.deadline ? ` karena batas waktu ${deadline} terlewat` : ''}.`,
        d.reason ? `Alasan: ${d.reason}` : '',
      );
    case 'revision_requested':
      return body(
        `[OVOP] Perbaikan dokumen diminta: ${d.ikmName}`,
        `Verifikator meminta perbaikan dokumen untuk ${ikm}.`,
        `Catatan: ${d.reason ?? '-'}`,
        'Mohon unggah perbaikan dokumen sebelum batas waktu perbaikan.',
      );
    case 'admin_rejected':
      return body(
        `[OVOP] Tidak lolos verifikasi administrasi: ${d.ikmName}`,
        `Usulan ${ikm} tidak lolos verifikasi administrasi.`,
        `Alasan: ${d.reason ?? '-'}`,
      );
    case 'admin_passed':
      return body(
        `[OVOP] Lolos verifikasi administrasi: ${d.ikmName}`,
        `Usulan ${ikm} lolos verifikasi administrasi dan masuk tahap penilaian.`,
      );
    case 'assessment_assigned':
      return body(
        `[OVOP] Penugasan penilaian: ${d.ikmName}`,
        `Anda ditugaskan menilai ${ikm}.`,
        'Mohon isi lembar penilaian untuk seluruh kriteria (skala 1–3) sebelum batas waktu penilaian.',
      );
    case 'assessment_started':
      return body(
        `[OVOP] Penilaian dimulai: ${d.ikmName}`,
        `Dokumen ${ikm} lolos verifikasi administrasi dan penilaian oleh tim penilai telah dimulai.`,
        `Penilaian dijadwalkan selesai paling lambat ${deadline}. Mohon pastikan IKM siap bila dijadwalkan verifikasi lapangan.`,
      );
    case 'field_verification':
      return body(
        `[OVOP] Verifikasi lapangan diperlukan: ${d.ikmName}`,
        `Nilai sementara ${ikm} adalah ${d.score ?? '-'}, mencapai ambang verifikasi lapangan.`,
        'Mohon jadwalkan verifikasi lapangan dan catat hasilnya.',
      );
    case 'field_visit_scheduled':
      return body(
        `[OVOP] Jadwal verifikasi lapangan: ${d.ikmName}`,
        `Tim verifikasi lapangan akan mengunjungi ${ikm} pada ${formatDeadline(d.visitDate, d.timezone)}.`,
        ...(d.team ? [`Tim: ${d.team.join(', ') || '-'}`] : []),
        d.facilitator
          ? `Pendamping dari kabupaten/kota: ${d.facilitator}`
          : 'Mohon dinas kabupaten/kota menugaskan pendamping yang menyertai tim.',
        '',
        'Mohon siapkan bukti berikut di lokasi:',
        ...(d.checklist ?? []).map((item) => `  - ${item}`),
      );
    case 'field_visit_reminder':
      return body(
        `[OVOP] Pengingat verifikasi lapangan: ${d.ikmName}`,
        `Verifikasi lapangan ${ikm} dijadwalkan pada ${formatDeadline(d.visitDate, d.timezone)}.`,
        ...(d.team ? [`Tim: ${d.team.join(', ') || '-'}`] : []),
        'Mohon pastikan pimpinan IKM, pendamping dan bukti di lokasi siap.',
      );
    case 'panel_short':
      return body(
        `[OVOP] Tim penilai tidak lengkap: ${d.ikmName}`,
        `Tim penilai untuk ${ikm} (komoditas ${d.commodity ?? '-'}) tidak dapat dibentuk lengkap.`,
        d.reason ?? '',
        'Mohon koordinator menambah penilai pada siklus berikutnya atau memutuskan kelanjutan usulan ini.',
      );
    case 'star_recommended':
      return body(
        `[OVOP] Rekomendasi Bintang ${d.stars ?? 0}: ${d.ikmName}`,
        `${ikm} direkomendasikan mendapat Bintang ${d.stars ?? 0} (nilai ${d.score ?? '-'}).`,
        'Mohon koordinator menetapkan jumlah bintang.',
      );
    case 'determination_approval_requested':
      return body(
        `[OVOP] Persetujuan penetapan Bintang ${d.stars ?? 0}: ${d.ikmName}`,
        `Koordinator ${d.requestedBy ?? '-'} menetapkan ${ikm} Bintang ${d.stars ?? 0}, di atas rekomendasi ` +
          `Bintang ${d.recommendedStars ?? 0}. Alasan: ${d.reason ?? '-'}`,
        `Penetapan ini berlaku setelah disetujui koordinator lain paling lambat ${formatDeadline(d.deadline, d.timezone)}` +
          '; tanpa persetujuan, usulan kembali menunggu penetapan.',
      );
    case 'determination_approval_refused':
      return body(
        `[OVOP] Penetapan Bintang ${d.stars ?? 0} tidak disetujui: ${d.ikmName}`,
        `Koordinator ${d.decidedBy ?? '-'} tidak menyetujui penetapan Bintang ${d.stars ?? 0} untuk ${ikm} ` +
          `oleh ${d.requestedBy ?? '-'}. Alasan: ${d.reason ?? '-'}`,
        'Usulan kembali menunggu penetapan bintang.',
      );
    case 'determination_approval_lapsed':
      return body(
        `[OVOP] Penetapan Bintang ${d.stars ?? 0} kedaluwarsa: ${d.ikmName}`,
        `Penetapan Bintang ${d.stars ?? 0} untuk ${ikm} oleh ${d.requestedBy ?? '-'} tidak disetujui koordinator ` +
          `lain sampai ${formatDeadline(d.deadline, d.timezone)}.`,
        'Usulan kembali menunggu penetapan bintang.',
      );
    case 'announcement':
      return d.stars && d.stars > 0
        ? body(
            `[OVOP] Penetapan Bintang ${d.stars}: ${d.ikmName}`,
            `Selamat! ${ikm} ditetapkan meraih Bintang ${d.stars} Penghargaan OVOP.`,
            ...awardLines(d),
          )
        : body(
            `[OVOP] Hasil penilaian: ${d.ikmName}`,
            `${ikm} belum terklasifikasi bintang pada siklus ini. Terima kasih atas partisipasinya.`,
            ...awardLines(d),
          );
    case 'coaching_assigned':
      return body(
        `[OVOP] Pembinaan IKM Bintang ${d.stars ?? '-'}: ${d.ikmName}`,
        `${ikm} ditetapkan meraih Bintang ${d.stars ?? '-'} Penghargaan OVOP${d.decree ? ` (${decreeText(d.decree)})` : ''}.`,
        `Sesuai tingkatnya, pembinaan selanjutnya menjadi tanggung jawab ${coachingText(d.coachingLevel)}.`,
        'Mohon masukkan IKM ini dalam program pembinaan instansi Anda.',
      );
    case 'decree_recorded': {
      const outcome = d.decreeOutcome;
      if (!d.decree || !outcome) throw new TemplateError('decree_recorded needs a decree and its outcome');
      const determined = outcome.determined.map((x) => `  ${x.ikmName}: Bintang ${x.stars}`);
      const skipped = outcome.skipped.map((x) => `  ${x.ikmName}: ${x.reason}`);
      return body(
        `[OVOP] Keputusan penetapan bintang ${d.decree.number}: ${d.cycleName}`,
        `${decreeText(d.decree)} menetapkan ${outcome.determined.length} IKM pada siklus ${d.cycleName}.`,
        '',
        'Ditetapkan:',
        ...(determined.length ? determined : ['  -']),
        ...(skipped.length ? ['', 'Tidak ditetapkan oleh keputusan ini:', ...skipped] : []),
      );
    }
    case 'withdrawn':
      return body(`[OVOP] Usulan ditarik: ${d.ikmName}`, `Usulan ${ikm} telah ditarik.`, `Alasan: ${d.reason ?? '-'}`);
    case 'cycle_opened':
      return body(
        `[OVOP] Siklus dibuka: ${d.cycleName}`,
        `Siklus ${d.cycleName} telah dibuka. Penerimaan usulan ditutup pada ${deadline}.`,
      );
    case 'cycle_summary': {
      const s = d.summary;
      if (!s) throw new TemplateError('cycle_summary needs a summary');
      const stages = Object.entries(s.byStage).map(([k, v]) => `  ${STAGE_LABELS[k as Stage] ?? k}: ${v}`);
      const stars = s.stars.map((r) => `  ${r.province} · ${r.commodity} · Bintang ${r.stars}: ${r.count}`);
      return body(
        `[OVOP] Ringkasan siklus ${d.cycleName}`,
        `Siklus ${d.cycleName} selesai dengan ${s.nominations} usulan.`,
        '',
        'Per tahap:',
        ...stages,
        '',
        'Bintang per provinsi dan komoditas:',
        ...(stars.length ? stars : ['  -']),
      );
    }
    default:
      throw new TemplateError(`unknown template ${String(template)}`);
  }
}
